"""Hugging Face OAuth: connect an account (authorization code + PKCE through Authlib),
keep its tokens fresh, forget them on disconnect, and "Sign in with Hugging Face"."""
