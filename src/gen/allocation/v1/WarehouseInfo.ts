// Original file: proto/allocation/v1/allocation.proto


export interface WarehouseInfo {
  'id'?: (string);
  'pickCapacityPerDay'?: (number | string);
  'pickHours'?: (number | string);
  'handlingCostPerUnit'?: (number | string);
}

export interface WarehouseInfo__Output {
  'id': (string);
  'pickCapacityPerDay': (number);
  'pickHours': (number);
  'handlingCostPerUnit': (number);
}
