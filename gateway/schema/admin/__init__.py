"""Admin: skill taxonomy and areas, organizations, accounts and roles, erasure on request."""
