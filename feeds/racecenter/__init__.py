"""The A.S.O. Race Center: its adapter, reading its records and updates, and writing them."""
