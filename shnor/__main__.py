from shnor.cli import main

raise SystemExit(main())
