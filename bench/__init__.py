"""The province-scale benchmark (`make bench`): see bench/README.md."""
