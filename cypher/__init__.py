"""Every Cypher statement the project runs, as `.cypher` files; shipped as package data so installed copies find it."""
