"""OAuth 2.0 authorization server and bearer-token validation (built on authlib)."""
