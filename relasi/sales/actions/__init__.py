"""Every write of the sales app (house rule 2): leads, deals, quotes, configuration."""
