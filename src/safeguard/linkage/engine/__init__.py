"""The linkage engine: pure Python, pyarrow and DuckDB (Splink), no Django models.

- `persons`: prepare, predict, predict_within, predict_between, cluster, explain
- `locations`: normalise_address, normalise_postcode, is_full_postcode, is_specific, match_locations
- `training`: train (and train_shipped_model, which rewrites `linkage/data/person_model.json`)
- `feedfile`: person records straight from feed lines; `febrl`: the FEBRL benchmark data
- `evaluation`: precision, recall and F1 over record pairs

The linkage app wires this to the database.
"""
