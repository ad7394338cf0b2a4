"""Public catalogue: open tasks (for widgets and visitors), skills and areas. No personal data."""
