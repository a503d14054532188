"""Grace Desktop's application shell: the CLI, the GUI bootstrap and the background runners."""

__version__ = "0.1.0"
