"""The built-in cases, their data (nothing downloaded) and the weights and data files users bring."""
