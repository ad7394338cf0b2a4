"""A volunteer's offers: see them with their reasons, accept, decline, withdraw, live updates."""
