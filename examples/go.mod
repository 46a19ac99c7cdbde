module github.com/accountsec/accountsec/examples

go 1.25

require github.com/accountsec/accountsec v0.0.0

replace github.com/accountsec/accountsec => ../
