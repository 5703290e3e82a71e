"""`python -m bench.scale` (`make scale-test`): see bench/scale/__init__.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.scale.run import main  # noqa: E402

sys.exit(main())
