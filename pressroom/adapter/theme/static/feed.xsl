<?xml version="1.0" encoding="UTF-8"?>
<!-- pressroom: a feed (Atom or RSS 2.0) shown as a readable page when a resident opens it in a
     browser (issue #14). Every feed names this file in its first processing instruction; feed
     readers ignore it. No script: the entries are plain links. The site's own stylesheets are
     found beside this file: their folder is read from that processing instruction, so a site
     served under a path (https://city.example/police/) works too. Words in English and
     Spanish, chosen by the feed's language (docs/branding.md). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="pi" select="/processing-instruction('xml-stylesheet')"/>
  <xsl:variable name="theme" select="substring-before(substring-after($pi, 'href=&quot;'), 'feed.xsl')"/>
  <xsl:variable name="root" select="substring-before($theme, 'theme/')"/>
  <xsl:variable name="lang">
    <xsl:choose>
      <xsl:when test="atom:feed/@xml:lang"><xsl:value-of select="atom:feed/@xml:lang"/></xsl:when>
      <xsl:when test="rss/channel/language"><xsl:value-of select="rss/channel/language"/></xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="es" select="starts-with($lang, 'es')"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/><xsl:choose>
          <xsl:when test="$es"> (canal de noticias)</xsl:when>
          <xsl:otherwise> (feed)</xsl:otherwise></xsl:choose></title>
        <link rel="stylesheet" href="{$theme}css/site.css"/>
        <link rel="stylesheet" href="{$theme}css/brand.css"/>
        <link rel="stylesheet" href="{$theme}feed.css"/>
      </head>
      <body>
        <main id="main" class="wrap feed-page">
          <h1><xsl:value-of select="$title"/></h1>
          <section class="callout" aria-labelledby="feed-what">
            <h2 id="feed-what"><xsl:choose>
              <xsl:when test="$es">Esto es un canal de noticias (feed)</xsl:when>
              <xsl:otherwise>This is a feed</xsl:otherwise></xsl:choose></h2>
            <p><xsl:choose>
              <xsl:when test="$es">Copie su dirección en una aplicación lectora de feeds y le mostrará cada nueva publicación en cuanto salga. Esta página muestra lo mismo para leerlo en el navegador.</xsl:when>
              <xsl:otherwise>Copy its address into a feed reader app, and it will show you each new post as it is published. This page shows the same posts, to read in your browser.</xsl:otherwise></xsl:choose></p>
            <p><xsl:choose>
              <xsl:when test="$es">Dirección del feed: </xsl:when>
              <xsl:otherwise>Feed address: </xsl:otherwise></xsl:choose>
              <code><xsl:value-of select="(atom:feed/atom:link[@rel='self'] | rss/channel/atom:link[@rel='self'])/@href"/></code></p>
            <p><a href="{$root}follow/"><xsl:choose>
              <xsl:when test="$es">Todas las formas de seguir al departamento</xsl:when>
              <xsl:otherwise>All the ways to follow the department</xsl:otherwise></xsl:choose></a></p>
          </section>
          <xsl:variable name="entries" select="atom:feed/atom:entry | rss/channel/item"/>
          <xsl:choose>
            <xsl:when test="$entries">
              <ul class="post-list">
                <xsl:apply-templates select="$entries"/>
              </ul>
            </xsl:when>
            <xsl:otherwise>
              <p><xsl:choose>
                <xsl:when test="$es">Este feed no tiene publicaciones por ahora.</xsl:when>
                <xsl:otherwise>This feed has no posts right now.</xsl:otherwise></xsl:choose></p>
            </xsl:otherwise>
          </xsl:choose>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="post-card">
      <h2 class="post-card-title"><a href="{atom:link[not(@rel) or @rel='alternate'][1]/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <p class="post-meta"><time datetime="{atom:updated}"><xsl:value-of select="substring(atom:updated, 1, 10)"/></time></p>
      <p class="post-card-summary"><xsl:call-template name="text">
        <xsl:with-param name="html" select="atom:summary"/></xsl:call-template></p>
    </li>
  </xsl:template>

  <xsl:template match="item">
    <li class="post-card">
      <h2 class="post-card-title"><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <p class="post-meta"><xsl:value-of select="pubDate"/></p>
      <p class="post-card-summary"><xsl:call-template name="text">
        <xsl:with-param name="html" select="description"/></xsl:call-template></p>
    </li>
  </xsl:template>

  <!-- A summary carried as escaped HTML, shown as text: tags dropped, never interpreted. -->
  <xsl:template name="text">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&lt;')">
        <xsl:call-template name="entities">
          <xsl:with-param name="s" select="substring-before($html, '&lt;')"/></xsl:call-template>
        <xsl:call-template name="text">
          <xsl:with-param name="html" select="substring-after(substring-after($html, '&lt;'), '&gt;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="entities"><xsl:with-param name="s" select="$html"/></xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The character references html.escape writes, as the characters they stand for. -->
  <xsl:template name="entities">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '&amp;')">
        <xsl:value-of select="substring-before($s, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($s, '&amp;')"/>
        <xsl:choose>
          <xsl:when test="starts-with($rest, 'amp;')">&amp;<xsl:call-template name="entities"><xsl:with-param name="s" select="substring($rest, 5)"/></xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, 'lt;')">&lt;<xsl:call-template name="entities"><xsl:with-param name="s" select="substring($rest, 4)"/></xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, 'gt;')">&gt;<xsl:call-template name="entities"><xsl:with-param name="s" select="substring($rest, 4)"/></xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, 'quot;')">"<xsl:call-template name="entities"><xsl:with-param name="s" select="substring($rest, 6)"/></xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, '#x27;')">'<xsl:call-template name="entities"><xsl:with-param name="s" select="substring($rest, 6)"/></xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, '#39;')">'<xsl:call-template name="entities"><xsl:with-param name="s" select="substring($rest, 5)"/></xsl:call-template></xsl:when>
          <xsl:otherwise>&amp;<xsl:call-template name="entities"><xsl:with-param name="s" select="$rest"/></xsl:call-template></xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
