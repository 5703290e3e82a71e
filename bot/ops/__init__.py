"""Running the service: the launcher behind `make run`, the readiness probe, the operator's command line
(`python -m bot`) and the staff administration commands. May import every other room."""
