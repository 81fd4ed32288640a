"""onethread: one thread from first touch to renewal."""
