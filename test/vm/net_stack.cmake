# net_stack: tests of the Network I issue (owner in the file)
