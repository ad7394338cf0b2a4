"""Public catalogue: open tasks (for widgets and visitors), skills and areas. No personal data.
Admins edit the taxonomy (skills and areas) here too: ``mutations``."""
