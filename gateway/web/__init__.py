"""The web front end and the embeddable widget, served by the gateway as static files."""
