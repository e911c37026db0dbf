"""Publication: the Council's approval of a year's outputs, the distribution to Member States (message, ledger, journal, transport, campaign) and the Member States' list."""
