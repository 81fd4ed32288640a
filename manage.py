#!/usr/bin/env python
from onethread.cli import main

if __name__ == "__main__":
    main()
