"""Sales models, one module per area (the package keeps each file short)."""

from relasi.sales.models.products import PriceList, PriceListItem, Product, ProductCategory

__all__ = ["PriceList", "PriceListItem", "Product", "ProductCategory"]
