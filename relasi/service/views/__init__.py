"""Service pages: tickets, configuration, knowledge base, insights; the portal and the help
centre are public (portal.py, helpcentre.py)."""
