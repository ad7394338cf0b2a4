"""Who is asking: accounts, passwords, tokens and the protection of login emails."""
