"""Stripe billing: Checkout to upgrade, the Customer Portal to manage, webhooks that move
the account's plan. Nothing here runs when the Stripe keys are unset."""
