resource "terraform_data" "legacy" {
  input = "legacy-nlb"
}
