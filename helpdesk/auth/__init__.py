"""Sign-in, sign-out, passwords, accounts and API tokens."""
