# net_run: tests of the Network I issue (owner in the file)
