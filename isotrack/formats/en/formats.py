# The English interface keeps the province's conventions: dd/mm/yyyy and "." for thousands.
from ..vi.formats import *  # noqa: F403
