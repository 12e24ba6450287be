"""National law the penalty packs build on: administrative_penalty_law.yaml (loaded by workflows.penalty_pack)."""
