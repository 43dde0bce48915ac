# Writes the QGIS project bench/ogcapi.sh serves with QGIS Server: one GeoPackage layer,
# published for WFS (QGIS Server's OGC API Features, /wfs3, serves the WFS layers).
#   /usr/bin/python3 bench/qgis_project.py ADDRESSES.gpkg OUT.qgs
import sys

from qgis.core import QgsApplication, QgsProject, QgsVectorLayer

gpkg, out = sys.argv[1], sys.argv[2]
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
layer = QgsVectorLayer(gpkg + "|layername=addresses", "addresses", "ogr")
if not layer.isValid():
    sys.exit("the GeoPackage layer is not valid: " + gpkg)
project.addMapLayer(layer)
project.setCrs(layer.crs())
project.setTitle("wardmap bench")
project.writeEntry("WFSLayers", "/", [layer.id()])
project.writeEntry("WFSLayersPrecision", "/" + layer.id(), 8)
if not project.write(out):
    sys.exit("could not write " + out)
print("layer:", layer.id())
print("features:", layer.featureCount())
app.exitQgis()
