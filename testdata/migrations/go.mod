module example.com/app

go 1.22

require github.com/pressly/goose/v3 v3.0.0

replace github.com/pressly/goose/v3 => ./_stubs/goose
