module gotest.tools/v3

go 1.26
