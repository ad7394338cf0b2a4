"""Calls to the members, tasks and matching services over HTTP."""
