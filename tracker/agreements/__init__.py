"""Agreements with partner institutions: the register, joint units' terms and quotas."""
