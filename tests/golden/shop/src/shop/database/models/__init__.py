"""Table models; importing this package registers every table on `Base.metadata`."""

from shop.utils.discovery import import_submodules

import_submodules(__name__, __path__)
