module threadlab/goroutines

go 1.19
