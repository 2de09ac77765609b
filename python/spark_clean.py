"""The Spark job's entry point for `spark-submit` (which takes a script):
`spark-submit ... python/spark_clean.py INPUT... -o OUT_DIR`. The job itself
is `boilerstrip.spark`; see its documentation and the repository's README."""

import sys

from boilerstrip.spark import main

if __name__ == "__main__":
    sys.exit(main())
