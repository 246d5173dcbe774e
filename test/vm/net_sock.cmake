# net_sock: tests of the Network I issue (owner in the file)
