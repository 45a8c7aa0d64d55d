"""Hugging Face: pasted-token verification, HF Jobs training, publishing to and from the
Hub, collections and dashboard Spaces. Everything reaches the Hub through `client`."""
