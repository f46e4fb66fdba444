module old

go 1.23
