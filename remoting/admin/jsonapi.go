package admin

import jsoniter "github.com/json-iterator/go"

var jsonAPI = jsoniter.ConfigCompatibleWithStandardLibrary
