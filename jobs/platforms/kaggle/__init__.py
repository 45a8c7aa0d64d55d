"""Kaggle as a training platform: script kernels run the engine bundle, the poller follows
them, competitions take submissions and Kaggle Models take the weights.

Only `client.py` builds a `kagglesdk.KaggleClient`; everything else asks it for one per
user per call, so no credential is ever shared between tenants or kept in the process.
"""
