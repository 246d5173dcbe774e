# net_run: host unit tests of the Network I issue
