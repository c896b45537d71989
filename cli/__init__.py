"""`icrm`, the one command line for people and scripts."""
