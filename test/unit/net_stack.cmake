# net_stack: host unit tests of the Network I issue
