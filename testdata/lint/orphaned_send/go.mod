module fixture

go 1.26

require (
	github.com/stretchr/testify v1.10.0
	gotest.tools/v3 v3.5.2
)

replace (
	github.com/stretchr/testify => ./_stubs/testify
	gotest.tools/v3 => ./_stubs/gotesttools
)
