"""A volunteer's own profile: see it, change it, pause it, erase it."""
