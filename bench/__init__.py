"""`python bench/load.py`: the load benchmark of the master."""
