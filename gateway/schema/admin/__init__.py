"""Admin: organizations and coordinator invitations, accounts and roles, erasure on request. (The
taxonomy admins edit, skills and areas, lives with the catalogue that shows it.)"""
