# net_unix: tests of the Network I issue (owner in the file)
