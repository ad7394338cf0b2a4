"""Sign-up, login, tokens and the signed-in person's own account."""
